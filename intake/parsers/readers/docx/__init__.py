"""The Word reader (reader) and its internals: the package, WordprocessingML, form fields."""
