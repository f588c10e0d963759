"""Built-in step types: one module per step type holding its ``SPEC``, config and builder.

A new step type is one new module here that defines ``SPEC``; the registry finds it.
Container scripts the steps run live in ``scripts/`` beside them.
"""
