<?php
/**
 * Runs mapping cases through the ORIGINAL OpenConnector mapping engine (loaded by load.php) and
 * writes one JSON line per case: {"ok": <MappingService::executeMapping(mapping, input, list)>} or
 * {"err": "<class>: <message>"} (or {"unencodable": ...} when the result has no JSON form).
 *
 *   php run_cases.php --upstream=DIR --cases=FILE [--out=FILE] [--autoload=FILE | --dot=FILE] [--locale=L]
 *
 * FILE: [{"mapping": {...entity...}, "input": ..., "mappings": {key: entity}?, "list": bool?}] (the
 * conformance corpus' case format). Each case gets a fresh Mapping entity (so "passThrough" is
 * honoured and the misspelt "passTrough" of some configurations is ignored, as upstream); its
 * sub-mappings are served by key or reference.
 */

declare(strict_types=1);

$options = getopt('', ['upstream:', 'cases:', 'out:', 'autoload:', 'twig:', 'dot:', 'patched:', 'locale:']);
if (!isset($options['cases'])) {
    fwrite(STDERR, "--cases=FILE is required\n");
    exit(2);
}
// The corpus' environment-dependent cases (the utf8 cast) were made with LC_CTYPE=C.UTF-8.
setlocale(LC_CTYPE, $options['locale'] ?? 'C.UTF-8');
ini_set('memory_limit', '1024M');

require __DIR__ . '/load.php';
loadOriginal($options);

use OCA\OpenConnector\Db\Mapping;
use OCA\OpenConnector\Db\MappingMapper;

const FLAGS = JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES;

$cases = json_decode(file_get_contents($options['cases']), true, 512, JSON_THROW_ON_ERROR);
$out = fopen($options['out'] ?? 'php://stdout', 'w');
$mapper = new MappingMapper(['numeric_ids' => [], 'mappings' => []]);
$service = freshService($mapper);

foreach ($cases as $case) {
    try {
        $mapper->setMappings($case['mappings'] ?? []);
        $mapping = (new Mapping())->hydrate($case['mapping']);
        if (!is_array($case['input'])) {
            throw new TypeError('input is not an array');
        }
        $result = $service->executeMapping($mapping, $case['input'], (bool) ($case['list'] ?? false));
        try {
            $line = json_encode(['ok' => $result], FLAGS | JSON_THROW_ON_ERROR);
        } catch (JsonException $e) { // invalid UTF-8 (base64Decode), INF/NAN: say so, keep the case
            $line = json_encode(['unencodable' => $e->getMessage()], FLAGS);
        }
    } catch (\Throwable $e) {
        $line = json_encode(['err' => get_class($e) . ': ' . $e->getMessage()], FLAGS | JSON_INVALID_UTF8_SUBSTITUTE);
    }
    fwrite($out, $line . "\n");
}
