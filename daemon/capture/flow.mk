# flow: sources and tests (being written)
