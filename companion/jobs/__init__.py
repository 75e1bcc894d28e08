"""Background jobs: the Huey queue, the tasks it runs, and the pages that watch them."""
