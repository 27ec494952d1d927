"""Know the limit: raw rates of the database operation shapes, and what one order costs."""
