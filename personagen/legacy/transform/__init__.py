"""Turn legacy rows into PersonaGen rows (pure functions: no I/O).

Every change to a value is reported; the legacy row itself is kept (in ``legacy_imports`` or
``personas.legacy_source``). Modules, one per table plus what ties them together:

- ``users``: ``auth_user`` (+ ``core_author``) -> ``users``.
- ``personas``: ``core_persona`` -> ``personas``, traits through the shared normalisation.
- ``content``: ``core_contentpiece`` -> ``content_pieces``.
- ``plan``: the overall import plan: which rows of which user to write
  (:func:`~personagen.legacy.transform.plan.plan_import`), and one user's rows mapped
  (:func:`~personagen.legacy.transform.plan.build_user`).
- ``common``: what the table modules share (driver values as JSON, text and UTC timestamps;
  the row plan; the recorder of report entries).

Each table module's docstring states its mapping decisions.
"""
