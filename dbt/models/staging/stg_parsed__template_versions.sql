-- The template versions of dagster_project/parsing/templates.py (TEMPLATE_VERSIONS), written by the
-- Dagster asset `catalogue`: every template_version column of the warehouse is tested against it.
select
    template_version,
    has_tables,
    first_year,
    last_year,
    description
from {{ source('parsed', 'template_versions') }}
