"""One reading of a requirement, shared by the planner and the extractor.

``literals`` finds S3 URIs, ARNs and SQL (and masks them), ``windows`` splits sentences and
clause windows, ``numbers`` reads numbers (digits and words), ``vocabulary`` holds the
job words, metric and comparator grammar, ``asks`` names what the catalogue lacks. Both the
offline planner (through :mod:`sagewright.agents.requirement_reader`) and the offline
extractor start from these, so they cannot disagree about what a literal or a job word is.
"""
