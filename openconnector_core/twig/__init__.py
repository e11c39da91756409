"""The Twig dialect of the original's mappings, sandboxed.

* :mod:`.lexer` splits a template into text and tags; :mod:`.parser` (with :mod:`.grammar` and
  :mod:`.code`) parses Twig expressions. :mod:`.translator` turns a template into Jinja source,
  rendered by :mod:`.environment` on a ``SandboxedEnvironment``; :mod:`.compiler` (with
  :mod:`.expressions` and :mod:`.rendering`) turns the common subset into one Python function.
* The runtime both use: :mod:`.access` (variables, attributes), :mod:`.operators` (PHP semantics),
  :mod:`.scoping` (``set``, ``for``), :mod:`.filters`, :mod:`.arrays`, :mod:`.escaping`, :mod:`.tests`,
  :mod:`.functions`, all named in :mod:`.registry`.
* :mod:`.limits` bounds a run (time, iterations, sizes, depth); :mod:`.pcre` runs ``matches``.
"""
