"""The external programs the parsers run (LibreOffice, Tesseract) and how they are run."""
