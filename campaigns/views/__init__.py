"""Views for campaign outreach, one module per area. Each view checks a permission, validates input,
calls one service or selector, and renders or redirects."""
