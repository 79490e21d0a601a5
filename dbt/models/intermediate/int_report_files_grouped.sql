-- Every name a report goes by. The first name (in path order) is the report's `source_file`;
-- all names are kept in `source_files`, so a duplicate upload is visible, not lost.
select
    report_id,
    min(source_file) as source_file,
    list(source_file order by source_file) as source_files,
    count(*) as file_count,
    max(mtime_ns) as latest_mtime_ns
from {{ ref('stg_raw__report_files') }}
where report_id is not null
group by report_id
