"""The bottom layer: what every package may import and which imports none of them.

`core.errors` (the project's exceptions), `core.types` (the dataclasses at each boundary),
`core.enums` (statuses and modes), `core.config` (the typed configuration the lower
layers take) and `core.cpu`. Nothing here loads a model or touches a file.
"""
