"""`ankigen sync`: make a learner's collection hold what the course builds, in place."""
