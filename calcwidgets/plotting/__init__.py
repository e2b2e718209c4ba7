"""Views: matplotlib figures built once and updated in place from core results."""
