"""The pure domain: tournaments, formats, results and standings. No I/O, no asyncio."""
