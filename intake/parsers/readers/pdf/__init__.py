"""The PDF reader (reader) and its internals: pages, rendering, marks, AcroForm fields."""
