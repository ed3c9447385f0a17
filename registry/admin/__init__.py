"""The registry's admin screens, by job: entities.py, memberships.py, accreditation.py (the
modeladmins and the pending-requests panel), menu.py (the menu group), urls.py (views
beyond modeladmin's CRUD), guards.py (admin routes narrowed to the Region), log_actions.py.
registry/wagtail_hooks.py only registers them."""
