"""Resource types: the declaration table and one small behaviour module per type."""
