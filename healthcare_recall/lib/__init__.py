# Plain Python: the recall notice's schema and normalisation, error codes. No ORM.
