<?php
/**
 * Loads the ORIGINAL OpenConnector mapping engine (upstream MappingService + Twig MappingExtension,
 * MappingRuntime and MappingRuntimeLoader, as they are) beside the stand-ins of stubs/. Shared by
 * harness.php (throughput) and run_cases.php (outputs of cases).
 *
 * Options (getopt style, as given on the command line):
 *   --upstream=DIR   a checkout of ConductionNL/openconnector (its lib/Service and lib/Twig)
 *   --autoload=FILE  Twig and adbario/php-dot-notation (default: DIR/vendor/autoload.php after
 *                    `composer install`); without it --twig=AUTOLOAD (default: Debian's php-twig)
 *                    and --dot=FILE (a file defining Adbar\Dot)
 *   --patched=DIR    where a patched copy of MappingRuntime goes when one is needed (see below)
 */

declare(strict_types=1);

use OCA\OpenConnector\Db\MappingMapper;
use OCA\OpenConnector\Db\SourceMapper;
use OCA\OpenConnector\Service\CallService;
use OCA\OpenConnector\Service\MappingService;
use OCA\OpenConnector\Service\ObjectService;
use OCA\OpenRegister\Service\FileService;
use Twig\Loader\ArrayLoader;

/** Loads everything; returns a note when MappingRuntime had to be patched (else null). */
function loadOriginal(array $options): ?string
{
    if (!isset($options['upstream'])) {
        fwrite(STDERR, "--upstream=DIR is required (a ConductionNL/openconnector checkout)\n");
        exit(2);
    }
    $upstream = rtrim($options['upstream'], '/');
    $autoload = $options['autoload'] ?? "$upstream/vendor/autoload.php";
    if (is_file($autoload)) {
        require $autoload;
    } else {
        require $options['twig'] ?? '/usr/share/php/Twig/autoload.php';
        if (!isset($options['dot'])) {
            fwrite(STDERR, "no $autoload: run composer install in the checkout, or give --dot=FILE (Adbar\\Dot)\n");
            exit(2);
        }
        require $options['dot'];
    }
    require __DIR__ . '/stubs/openconnector.php';
    require "$upstream/lib/Twig/MappingExtension.php";
    $note = requireMappingRuntime($upstream, $options['patched'] ?? sys_get_temp_dir() . '/openconnector-original');
    require "$upstream/lib/Twig/MappingRuntimeLoader.php";
    require "$upstream/lib/Service/MappingService.php";
    return $note;
}

/**
 * Requires the upstream MappingRuntime. In some upstream states MappingRuntimeLoader passes
 * fileService:/objectService: named arguments that MappingRuntime's constructor does not declare
 * (PHP: "Unknown named parameter"). Only in that case, a copy (in $patchedDir) gets two unused
 * optional parameters appended to the constructor; nothing else changes.
 */
function requireMappingRuntime(string $upstream, string $patchedDir): ?string
{
    $path = "$upstream/lib/Twig/MappingRuntime.php";
    $runtime = file_get_contents($path);
    $loader = file_get_contents("$upstream/lib/Twig/MappingRuntimeLoader.php");
    if (!str_contains($loader, 'fileService:') || str_contains($runtime, '$fileService')) {
        require $path;
        return null;
    }
    $patched = preg_replace(
        '/(private readonly SourceMapper \$sourceMapper,)/',
        "$1\n        mixed \$fileService = null, // [harness] accepted, unused\n        mixed \$objectService = null, // [harness] accepted, unused",
        $runtime,
        1,
        $count
    );
    if ($count !== 1) {
        throw new RuntimeException("Cannot patch $path: constructor not found");
    }
    @mkdir($patchedDir, 0777, true);
    $copy = "$patchedDir/MappingRuntime.php";
    file_put_contents($copy, $patched);
    require $copy;
    return "MappingRuntime constructor given the fileService/objectService parameters its loader passes (copy: $copy)";
}

/** A fresh MappingService (a fresh Twig Environment), as the Nextcloud DI container builds it. */
function freshService(MappingMapper $mapper): MappingService
{
    return new MappingService(new ArrayLoader(), $mapper, new CallService(), new SourceMapper(), new FileService(), new ObjectService());
}
