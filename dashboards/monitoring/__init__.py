"""The monitoring of the Comuni (monitoraggio dei Comuni) for the Region's staff: per Comune,
its accreditation and people, its property register (last update, completeness), its
submission to each open call and its open helpdesk tickets; filtered, sorted, exported and
drawn on the map of Puglia; and the role panels of the admin home.

    policy.py      who may read the monitoring (the Region's staff)
    selectors.py   the rows, in a fixed number of queries whatever the number of Comuni
    forms.py       the filters and the whitelisted ordering
    map.py         the Comuni coloured by their state (categorical choropleth)
    views.py       the screen, its CSV/XLSX and its map image (thin)
    admin_home.py  the panels of the admin home, for the Region and for an entity's people
"""
