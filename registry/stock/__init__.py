"""The property register (anagrafe del patrimonio): buildings and units of public housing that
each owner keeps current, their field-level history, import jobs, yearly snapshots, exports and
the API. The models belong to the ``registry`` Django app (one migration history); everything
else of the register lives in this package:

- ``models``     buildings, units, changes, import jobs, snapshots
- ``spec``       one specification per record type: columns, parsers, export rows, validators
- ``writer``     the single write path (history, moves between owners, stock version)
- ``services``   import jobs, snapshots, admin edits, background exports
- ``selectors``  reads shared by the admin, the API and the dashboards
- ``policy``     who may read and write an owner's register
- ``admin``      Wagtail admin screens;  ``api``  the REST endpoints
"""
