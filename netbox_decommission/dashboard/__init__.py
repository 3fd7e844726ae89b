"""The plugin's widgets for NetBox's dashboard: figures.py (the numbers), widgets.py (the widgets that show them)."""
