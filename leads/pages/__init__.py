"""Staff pages of the pipeline: dashboard, list, board, detail, forms; templates beside them."""
