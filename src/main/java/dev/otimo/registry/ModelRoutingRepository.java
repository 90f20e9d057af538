package dev.otimo.registry;

import org.springframework.data.jpa.repository.JpaRepository;

import java.util.Optional;

public interface ModelRoutingRepository extends JpaRepository<ModelRouting, Long> {

    Optional<ModelRouting> findByModel(Model model);
}
