"""Investors, their industrial estates, the estates' zones and the claims made about them."""
