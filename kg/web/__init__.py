"""The web side of ccakg: the explorer page, the query page, the SPARQL gateway and their templates and assets."""
