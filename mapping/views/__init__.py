"""Views, one module per page family; see README.md's layout. Views parse, call the domain, render."""
