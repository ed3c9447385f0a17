"""The property register (anagrafe del patrimonio): buildings and units of public housing that
each owner keeps current, their field-level history, import jobs, yearly snapshots, exports and
the API. The models belong to the ``registry`` Django app (one migration history); everything
else of the register lives in this package:

- ``models``     buildings, units, changes, import jobs, snapshots
- ``spec``       the unit's and the building's specifications (core.records): file columns,
                 parsers, export rows, the models' validation, the API's record fields
- ``writer``     the single write path (history, moves between owners, stock version)
- ``services``   import jobs, snapshots, admin edits, background exports
- ``selectors``  reads shared by the admin, the API and the dashboards
- ``policy``     who may read and write an owner's register
- ``admin/``     Wagtail admin screens, one module per job (forms, units, buildings, imports,
                 snapshots, downloads);  ``api``  the REST endpoints
"""
