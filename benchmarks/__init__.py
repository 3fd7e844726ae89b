"""`make bench`: the plugin's costs measured side by side with NetBox's own (see README.md)."""
