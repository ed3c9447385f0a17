"""Admin screens of the intervention programmes: the programmes and interventions lists
(modeladmins.py, through the access rule on the beneficiary), the transitions, the update
file and the Region's progress screens with their exports (views.py)."""
