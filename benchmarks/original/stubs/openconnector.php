<?php
/**
 * The smallest stand-ins for the Nextcloud / OpenConnector / OpenRegister classes that the upstream
 * MappingService, MappingRuntimeLoader and MappingRuntime need to load and to run executeMapping.
 * No database: MappingMapper::find() serves the mapping entities of mappings.json (by numeric id,
 * via its numeric_ids table, or by slug). The real mapper runs one SQL query per find(), i.e. per
 * executeMapping(N, ...) call from a template: that cost is NOT measured here.
 */

namespace OCP\AppFramework\Db {
    class DoesNotExistException extends \Exception
    {
    }
}

namespace OCA\OpenConnector\Db {
    use OCP\AppFramework\Db\DoesNotExistException;

    /** Stand-in for the Mapping entity: the fields and getters MappingService/MappingRuntime use. */
    class Mapping
    {
        private ?int $id = null;
        private ?string $uuid = null;
        private ?string $slug = null;
        private ?string $name = null;
        private ?string $version = null;
        private ?string $reference = null;
        private ?array $mapping = [];
        private ?array $unset = [];
        private ?array $cast = [];
        private ?bool $passThrough = null;

        /**
         * As Entity::hydrate: a key without a setter is skipped (upstream's setX() throws for an
         * unknown property and hydrate() swallows it). Note the configurations spell the field
         * "passTrough", which therefore leaves passThrough null upstream as well.
         */
        public function hydrate(array $object): self
        {
            foreach ($object as $key => $value) {
                if (property_exists($this, $key) && $key !== 'id') {
                    $this->$key = $value;
                }
            }
            return $this;
        }

        public function setId(?int $id): void { $this->id = $id; }
        public function getId(): ?int { return $this->id; }
        public function getUuid(): ?string { return $this->uuid; }
        public function getSlug(): ?string { return $this->slug; }
        public function getName(): ?string { return $this->name; }
        public function getVersion(): ?string { return $this->version; }
        public function getReference(): ?string { return $this->reference; }
        public function getMapping(): array { return $this->mapping ?? []; }
        public function getUnset(): array { return $this->unset ?? []; }
        public function getCast(): array { return $this->cast ?? []; }
        public function getPassThrough(): ?bool { return $this->passThrough; }
    }

    /** Serves mappings.json: {"numeric_ids": {"1": slug, ...}, "mappings": {slug: entity}}. */
    class MappingMapper
    {
        /** @var array<string, Mapping> by slug */
        private array $bySlug = [];
        /** @var array<string, string> numeric id => slug */
        private array $slugById;

        public function __construct(array $bundle)
        {
            $this->slugById = array_map('strval', $bundle['numeric_ids']);
            $idBySlug = array_flip($this->slugById);
            foreach ($bundle['mappings'] as $slug => $entity) {
                $mapping = (new Mapping())->hydrate($entity + ['slug' => $slug]);
                $mapping->setId(isset($idBySlug[$slug]) ? (int) $idBySlug[$slug] : null);
                $this->bySlug[$slug] = $mapping;
            }
        }

        public function find(int|string $id): Mapping
        {
            $slug = $this->slugById[(string) $id] ?? (string) $id;
            if (!isset($this->bySlug[$slug])) {
                throw new DoesNotExistException("No mapping $id");
            }
            return $this->bySlug[$slug];
        }

        public function findAll(): array
        {
            return array_values($this->bySlug);
        }

        /** Replaces the served mappings (per case of run_cases.php): {key: entity}, key = slug or reference. */
        public function setMappings(array $entities): void
        {
            $this->bySlug = [];
            $this->slugById = [];
            foreach ($entities as $slug => $entity) {
                $mapping = (new Mapping())->hydrate($entity + ['slug' => (string) $slug]);
                $this->bySlug[(string) $slug] = $mapping;
            }
        }

        /** MappingRuntime::executeMapping('http...') uses findByRef(ref)[0]. */
        public function findByRef(string $reference): array
        {
            if (isset($this->bySlug[$reference])) {
                return [$this->bySlug[$reference]];
            }
            foreach ($this->bySlug as $mapping) {
                if ($mapping->getReference() === $reference) {
                    return [$mapping];
                }
            }
            return [];
        }
    }

    class SourceMapper
    {
    }
}

namespace OCA\OpenConnector\Service {
    class CallService
    {
    }

    /** MappingService's constructor passes $objectService->getOpenRegisters() to the runtime loader. */
    class ObjectService
    {
        public function getOpenRegisters(): \OCA\OpenRegister\Service\ObjectService
        {
            return new \OCA\OpenRegister\Service\ObjectService();
        }
    }
}

namespace OCA\OpenRegister\Service {
    class FileService
    {
    }

    class ObjectService
    {
    }
}
