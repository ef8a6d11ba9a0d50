"""Timer handler of the dispatch clock (DISPATCH_DUE: an unaccepted dispatch moves up). h-hub."""
