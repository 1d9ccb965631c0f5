"""Printing: loyalty slips (PDF and ESC/POS), membership cards and card sheets; no SQL here."""
