<?php
/**
 * Throughput of the ORIGINAL OpenConnector (PHP) mapping engine: upstream MappingService +
 * Twig MappingExtension/MappingRuntime/MappingRuntimeLoader, on the mapping and the synthetic
 * records that benchmarks/mapping.py uses, so both can be compared side by side. Driven by
 * benchmarks/original.py, which writes the records and the Python engine's outputs and runs this.
 *
 *   php harness.php --upstream=DIR --cases=FILE --mappings=FILE [--expected=FILE]
 *                   [--autoload=FILE | --twig=AUTOLOAD --dot=FILE] [--count=N] [--rounds=N] [--mapping=SLUG]
 *
 * --upstream: a checkout of ConductionNL/openconnector (its lib/Service and lib/Twig are loaded as
 * they are). Twig and adbario/php-dot-notation come from DIR/vendor/autoload.php (after
 * `composer install` in the checkout) or from --autoload; else from --twig (default: Debian's
 * php-twig) and --dot (a file defining Adbar\Dot).
 *
 * What runs per record is MappingService::executeMapping($caseMapping, $case), exactly as upstream
 * (Twig Environment without cache, as MappingService builds it; sub-mappings via executeMapping(N, …)
 * through MappingRuntime -> MappingMapper::find(N)). Not measured: the SQL query the real
 * MappingMapper makes per find() (the stub serves the mappings from memory).
 */

declare(strict_types=1);

// --------------------------------------------------------------------------- options

$options = getopt('', ['upstream:', 'cases:', 'mappings:', 'expected:', 'count:', 'rounds:', 'mapping:', 'autoload:', 'twig:', 'dot:', 'patched:']);
foreach (['cases', 'mappings'] as $required) {
    if (!isset($options[$required])) {
        fwrite(STDERR, "--$required is required (see the comment at the top of this file)\n");
        exit(2);
    }
}
$casesFile = $options['cases'];
$mappingsFile = $options['mappings'];
$expectedFile = $options['expected'] ?? '';
$rounds = (int) ($options['rounds'] ?? 3);
$slug = $options['mapping'] ?? 'xxllnc-v1-case-to-zgw-zaak';

// --------------------------------------------------------------------------- loading

require __DIR__ . '/load.php';
$patchNote = loadOriginal($options);

use OCA\OpenConnector\Db\MappingMapper;

$bundle = json_decode(file_get_contents($mappingsFile), true, 512, JSON_THROW_ON_ERROR);
$mapper = new MappingMapper($bundle);

$caseTexts = array_map(
    fn (array $case): string => json_encode($case, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES),
    json_decode(file_get_contents($casesFile), true, 512, JSON_THROW_ON_ERROR)
);
$count = (int) ($options['count'] ?? count($caseTexts));
$caseTexts = array_slice($caseTexts, 0, $count);
$cases = array_map(fn (string $text): array => json_decode($text, true), $caseTexts);
$caseMapping = $mapper->find($slug);

printf(
    "PHP %s (opcache %s, JIT %s), Twig %s; mapping %s; %d records, best of %d rounds\n",
    PHP_VERSION,
    ini_get('opcache.enable_cli') ? 'on' : 'off',
    (function_exists('opcache_get_status') && (opcache_get_status(false)['jit']['on'] ?? false)) ? ini_get('opcache.jit') : 'off',
    \Twig\Environment::VERSION,
    $slug,
    $count,
    $rounds
);
if ($patchNote !== null) {
    echo "  note: $patchNote\n";
}

// --------------------------------------------------------------------------- check against expected.json

/** For comparison: without the fields holding today's date, objects' keys sorted (lists kept). */
function normalized(mixed $value): mixed
{
    if (!is_array($value)) {
        return $value;
    }
    unset($value['beginGeldigheid']);
    $value = array_map('normalized', $value);
    if (!array_is_list($value)) {
        ksort($value, SORT_STRING);
    }
    return $value;
}

/** @return list<string> paths where $a and $b differ (strict: types count) */
function differences(mixed $a, mixed $b, string $path = ''): array
{
    if (is_array($a) && is_array($b)) {
        $found = [];
        foreach (array_unique(array_merge(array_keys($a), array_keys($b))) as $key) {
            if (!array_key_exists($key, $a) || !array_key_exists($key, $b)) {
                $found[] = "$path.$key: php=" . json_encode($a[$key] ?? '<absent>') . ' python=' . json_encode($b[$key] ?? '<absent>');
                continue;
            }
            array_push($found, ...differences($a[$key], $b[$key], "$path.$key"));
        }
        return $found;
    }
    return $a === $b ? [] : ["$path: php=" . json_encode($a) . ' python=' . json_encode($b)];
}

$service = freshService($mapper);
$started = hrtime(true);
$service->executeMapping($caseMapping, $cases[0]);
printf("  first record (Twig compiles the templates): %.1f ms\n", (hrtime(true) - $started) / 1e6);

if ($expectedFile !== '' && is_file($expectedFile)) {
    $expected = json_decode(file_get_contents($expectedFile), true, 512, JSON_THROW_ON_ERROR);
    $checked = min(count($expected), $count);
    $agree = 0;
    $sameOrder = 0;
    $byPath = [];
    $examples = [];
    for ($i = 0; $i < $checked; $i++) {
        // Through JSON and back, as the output would leave the app (and as expected.json was read).
        $output = json_decode(json_encode($service->executeMapping($caseMapping, $cases[$i])), true);
        $found = differences(normalized($output), normalized($expected[$i]));
        if ($found === []) {
            $agree++;
            $sameOrder += (int) (array_keys($output) === array_keys($expected[$i]));
            continue;
        }
        foreach ($found as $difference) {
            $key = preg_replace('/\.\d+(?=[.:])/', '.*', strstr($difference, ':', true));
            $byPath[$key] = ($byPath[$key] ?? 0) + 1;
            $examples[$key] ??= "{$cases[$i]['reference']}: $difference";
        }
    }
    printf("  outputs: %d of %d agree with expected.json (Python engine), ignoring beginGeldigheid and []/{}; top-level key order equal in %d of those\n", $agree, $checked, $sameOrder);
    arsort($byPath);
    foreach ($byPath as $key => $times) {
        printf("    %5d x %s   e.g. %s\n", $times, $key, substr($examples[$key], 0, 300));
    }
}

// --------------------------------------------------------------------------- timing

/** Seconds to map $records with a fresh MappingService (compiled templates stay loaded per process, as in a warm worker). */
function timeRound(MappingMapper $mapper, object $mapping, array $records): float
{
    $service = freshService($mapper);
    $started = hrtime(true);
    foreach ($records as $record) {
        $service->executeMapping($mapping, $record);
    }
    return (hrtime(true) - $started) / 1e9;
}

// One case mapped again and again: the same case text json-decoded into a fresh array each time.
$repeated = [];
for ($i = 0; $i < $count; $i++) {
    $repeated[] = json_decode($caseTexts[0], true);
}

$best = ['distinct' => INF, 'repeated' => INF];
for ($round = 0; $round < $rounds; $round++) {
    $best['distinct'] = min($best['distinct'], timeRound($mapper, $caseMapping, $cases));
    $best['repeated'] = min($best['repeated'], timeRound($mapper, $caseMapping, $repeated));
}
printf("  distinct cases  (%d once):        %8.0f records/s  (%.3f s)\n", $count, $count / $best['distinct'], $best['distinct']);
printf("  one case again  (%d times):       %8.0f records/s  (%.3f s)\n", $count, $count / $best['repeated'], $best['repeated']);
printf("  peak memory: %.0f MB\n", memory_get_peak_usage(true) / 1048576);
