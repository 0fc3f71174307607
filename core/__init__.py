"""The bottom layer: what every package may import and which imports none of them.

`core.errors` (the project's exceptions), `core.types` (the dataclasses at each boundary),
`core.enums` (statuses and modes), `core.config` (the typed configuration the lower
layers take), `core.text` (the rules of Chinese and English text: the Han range,
Traditional and Simplified, the language of a text, the matching form), `core.hashing`
(content hashes of files) and `core.cpu`. Nothing here loads a model; only
`core.hashing` reads files, and `core.text` OpenCC's conversion tables.
"""
from core import telemetry

telemetry.turn_off()  # before any package of Yizhi imports a third-party one (see core/telemetry.py)
