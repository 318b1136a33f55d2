"""What the register's records share above the core: a reasoned withdrawal of a record
entered twice, and its page."""
