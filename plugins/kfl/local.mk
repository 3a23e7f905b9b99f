# kfl plugin (being written)
