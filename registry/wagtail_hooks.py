"""The registry's admin, registered: screens and helpers live in registry/admin/ by job."""

from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from registry.stock import admin as stock_admin

from . import admin_home
from .admin import accreditation, guards, log_actions, urls
from .admin.menu import RegistryGroup

modeladmin_register(RegistryGroup)
modeladmin_register(stock_admin.PropertyRegisterGroup)

hooks.register("register_admin_urls", urls.admin_urls)
hooks.register("register_guarded_admin_urls", guards.site_history_urls)
hooks.register("register_log_actions", log_actions.register_log_actions)
hooks.register("construct_homepage_panels", admin_home.add_stock_panel)
hooks.register("construct_homepage_panels", accreditation.add_pending_accreditation_panel)
