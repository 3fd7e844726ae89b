"""
The documents as PDFs (the order, the application and the act; those issued at closing, the report among them):
rendering, numbering, freezing, verification, labels.
"""
