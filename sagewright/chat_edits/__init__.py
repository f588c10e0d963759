"""Chat turns read as edit operations on the pipeline under review (issue 11, item 6).

``reading`` finds the operations of a turn, ``step_words`` the steps a phrase names,
``steps`` changes the topology, ``values`` the config values, ``turn`` ties them together
and reports what changed.
"""
