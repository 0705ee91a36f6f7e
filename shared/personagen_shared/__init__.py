"""Code shared by the PersonaGen API and the generator worker.

Settings, the database engine and sessions, the table models, the trait catalogue, the trait
normalisation and the job contract. Neither service imports the other; both import this.
"""
