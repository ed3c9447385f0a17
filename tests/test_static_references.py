"""Every `{% static %}` a template names is a file the static finders know.

Production serves static files under hashed names (WhiteNoise's manifest storage), which
refuses, with a server error on the page, any name that is not a collected file: a folder
(`{% static 'bootstrap-italia/fonts' %}` once broke the public home page this way) or a
misspelt path. The tests run with the plain storage, which accepts anything, so this reads
the templates themselves."""

import os
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]""")
SKIP_DIRS = {".venv", "node_modules", "var", ".git", "tests", "static"}


def template_files():
    root = Path(settings.BASE_DIR)
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in SKIP_DIRS]
        for name in files:
            if name.endswith((".html", ".txt", ".xml")):
                yield Path(folder) / name


def test_every_static_reference_names_a_collected_file():
    problems = []
    for path in template_files():
        for name in STATIC_TAG.findall(path.read_text(encoding="utf-8")):
            found = finders.find(name)
            if not found or not os.path.isfile(found):
                problems.append(f"{path.relative_to(settings.BASE_DIR)}: {name}")
    assert problems == []


def test_a_folder_is_caught():
    found = finders.find("bootstrap-italia/fonts")
    assert found and not os.path.isfile(found)
