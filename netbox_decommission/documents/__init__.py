"""The order, the application and the act as PDFs: rendering, numbering, freezing, verification, labels."""
