"""Reading a page image by OCR: orientation, cleaning, rulings, tick boxes."""
