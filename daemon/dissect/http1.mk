# http1: sources and tests (being written)
