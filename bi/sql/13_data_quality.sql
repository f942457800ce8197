-- Did the published data pass its checks? Check outcomes of the run that published the file.
-- Sources marts.quality_results and marts.publish_info.
SELECT
    info.run_id,
    info.published_at,
    info.source,
    info.synthetic,
    count(q.check_name) AS checks,
    count(q.check_name) FILTER (WHERE q.passed) AS passed,
    count(q.check_name) FILTER (WHERE NOT q.passed AND q.severity = 'error') AS failed_errors,
    count(q.check_name) FILTER (WHERE NOT q.passed AND q.severity <> 'error') AS failed_warnings
FROM marts.publish_info AS info
LEFT JOIN marts.quality_results AS q ON q.run_id = info.run_id
GROUP BY ALL
