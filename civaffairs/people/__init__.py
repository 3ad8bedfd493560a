"""Finding one person in every register (查人): Qt-free, see `service.find`."""
