{#- No dbt packages here (they need `dbt deps`, i.e. the network), so the one generic test we need
    beyond dbt's four is written out: no two rows share the given columns. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
