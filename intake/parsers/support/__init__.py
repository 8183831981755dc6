"""Abilities several readers share, one concern per module: running a child
process safely, LibreOffice conversion, OCR, safe XML and zip checks, and
turning positioned words back into lines, paragraphs and tables."""
