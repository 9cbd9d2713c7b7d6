"""Views, one module per page family: organisation, board, export."""
