"""StreamField blocks of the public pages. Headings are always h2 (the page title is the h1),
images always carry alt text (Wagtail's ImageBlock refuses an image without it unless it is
marked decorative), tables carry a caption: the editor form enforces the accessibility."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("warning", _("Warning")), ("success", _("Done"))],
        default="info",
        label=_("tone"),
    )
    title = blocks.CharBlock(required=False, label=_("title"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("text"))

    class Meta:
        icon = "warning"
        template = "cms/blocks/callout.html"
        label = _("Callout")


class DocumentLinksBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, label=_("title"))
    documents = blocks.ListBlock(DocumentChooserBlock(), label=_("documents"))

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/documents.html"
        label = _("Document links")


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("image"))
    caption = blocks.CharBlock(required=False, label=_("caption"))

    class Meta:
        icon = "image"
        template = "cms/blocks/figure.html"
        label = _("Image")


class CaptionedTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(
        label=_("caption"), help_text=_("Says what the table shows; read first by screen readers.")
    )
    table = TableBlock(table_options={"startRows": 3, "startCols": 3})

    class Meta:
        icon = "table"
        template = "cms/blocks/table.html"
        label = _("Table")


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="cms/blocks/heading.html", label=_("Heading")
    )
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow", label=_("Paragraph"))
    callout = CalloutBlock()
    table = CaptionedTableBlock()
    documents = DocumentLinksBlock()
    image = FigureBlock()


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, required=False, label=_("text"))

    class Meta:
        icon = "list-ol"
        label = _("Step")
