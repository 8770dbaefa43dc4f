"""ORM-free helpers of inventory sync: GS1 and GTINs, canonical events, FHIR mapping."""
